export default defineNuxtConfig({
  compatibilityDate: '2025-07-15',
  devtools: { enabled: true },
  ssr: false,
  runtimeConfig: {
    public: {
      apiBase: '/api',
    },
  },
  routeRules: {
    '/api/**': { proxy: `${process.env.BACKEND_URL ?? 'http://localhost:8000'}/api/**` },
  },
  app: {
    head: {
      title: 'TL;DR',
      meta: [{ name: 'description', content: 'Team task tracker' }],
    },
  },
  typescript: {
    strict: true,
  },
})
