export default defineNuxtConfig({
  compatibilityDate: '2025-09-01',
  devtools: { enabled: true },
  ssr: false,
  typescript: { strict: true },
  runtimeConfig: {
    public: {
      apiBase: 'http://localhost:8000/api',
    },
  },
  app: {
    head: { title: 'Bramble Street Physiotherapy — Diary' },
  },
})
