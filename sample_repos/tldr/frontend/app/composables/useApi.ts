const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS']

export function useApi() {
  const config = useRuntimeConfig()
  const csrfToken = useCookie('csrftoken')

  return $fetch.create({
    baseURL: config.public.apiBase,
    credentials: 'include',
    onRequest({ options }) {
      const method = (options.method ?? 'GET').toUpperCase()
      if (!SAFE_METHODS.includes(method) && csrfToken.value) {
        options.headers.set('X-CSRFToken', csrfToken.value)
      }
    },
    async onResponseError({ response }) {
      if (response.status === 403 && response._data?.detail === 'Authentication credentials were not provided.') {
        await navigateTo('/login')
      }
    },
  })
}
