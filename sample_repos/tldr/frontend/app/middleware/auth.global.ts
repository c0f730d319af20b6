const PUBLIC_ROUTES = ['/login']

export default defineNuxtRouteMiddleware(async (to) => {
  if (PUBLIC_ROUTES.includes(to.path) || to.path.startsWith('/invitations/')) {
    return
  }
  const { user, loaded, fetchMe } = useAuth()
  if (!loaded.value) {
    await fetchMe()
  }
  if (!user.value) {
    return navigateTo({ path: '/login', query: { next: to.fullPath } })
  }
})
