import type { Me } from '~/types/api'

export function useAuth() {
  const api = useApi()
  const user = useState<Me | null>('auth-user', () => null)
  const loaded = useState('auth-loaded', () => false)

  async function fetchMe() {
    try {
      user.value = await api<Me>('/auth/me/')
    }
    catch {
      user.value = null
    }
    loaded.value = true
    return user.value
  }

  async function login(email: string, password: string) {
    await api('/auth/csrf/')
    user.value = await api<Me>('/auth/login/', { method: 'POST', body: { email, password } })
    loaded.value = true
  }

  async function logout() {
    await api('/auth/logout/', { method: 'POST' })
    user.value = null
    await navigateTo('/login')
  }

  return { user, loaded, fetchMe, login, logout }
}
