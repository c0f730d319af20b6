import type { NitroFetchOptions } from 'nitropack'

type ApiOptions = NitroFetchOptions<string, 'get' | 'post' | 'patch' | 'delete'>

function readCookie(name: string): string | undefined {
  if (import.meta.server) {
    return undefined
  }
  return document.cookie
    .split('; ')
    .find(row => row.startsWith(`${name}=`))
    ?.split('=')[1]
}

/**
 * Fetch wrapper for the Ledger API: session cookie auth, CSRF header on writes,
 * and the X-Organization-Id header that IsOrganizationMember requires.
 */
export function useApi() {
  const config = useRuntimeConfig()
  const organizationId = useState<string | null>('organizationId', () => null)

  function request<T>(path: string, options: ApiOptions = {}): Promise<T> {
    const headers: Record<string, string> = {}
    if (organizationId.value) {
      headers['X-Organization-Id'] = organizationId.value
    }
    const csrfToken = readCookie('csrftoken')
    if (csrfToken && options.method && options.method !== 'get') {
      headers['X-CSRFToken'] = csrfToken
    }
    const isAbsolute = path.startsWith('http')
    return $fetch<T>(path, {
      ...options,
      baseURL: isAbsolute ? undefined : config.public.apiBase,
      credentials: 'include',
      headers: { ...headers, ...(options.headers as Record<string, string> | undefined) },
    })
  }

  return { request, organizationId }
}
