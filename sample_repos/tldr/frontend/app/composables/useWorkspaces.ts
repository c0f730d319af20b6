import type { ActivityEvent, Membership, Paginated, Project, Workspace } from '~/types/api'

export function useWorkspaces() {
  const api = useApi()
  return useAsyncData('workspaces', () => api<Paginated<Workspace>>('/workspaces/'))
}

export function useWorkspaceProjects(workspaceId: MaybeRefOrGetter<number>) {
  const api = useApi()
  return useAsyncData(
    () => `workspace-projects-${toValue(workspaceId)}`,
    () => api<Paginated<Project>>(`/workspaces/${toValue(workspaceId)}/projects/`, {
      query: { ordering: 'name' },
    }),
  )
}

export function useProject(projectId: MaybeRefOrGetter<number>) {
  const api = useApi()
  return useAsyncData(
    () => `project-${toValue(projectId)}`,
    () => api<Project>(`/projects/${toValue(projectId)}/`),
  )
}

export function useMembers(workspaceId: MaybeRefOrGetter<number | undefined>) {
  const api = useApi()
  return useAsyncData(
    () => `members-${toValue(workspaceId)}`,
    async () => {
      const id = toValue(workspaceId)
      if (!id) {
        return [] as Membership[]
      }
      const page = await api<Paginated<Membership>>(`/workspaces/${id}/members/`, { query: { pageSize: 200 } })
      return page.results
    },
    { watch: [() => toValue(workspaceId)] },
  )
}

export function useWorkspaceActivity(workspaceId: MaybeRefOrGetter<number>) {
  const api = useApi()
  const page = ref(1)
  const request = useAsyncData(
    () => `activity-${toValue(workspaceId)}-${page.value}`,
    () => api<Paginated<ActivityEvent>>(`/workspaces/${toValue(workspaceId)}/activity/`, {
      query: { page: page.value },
    }),
    { watch: [page] },
  )
  return { ...request, page }
}
