import type { Paginated } from '~/types/api'
import type { Label, Task, TaskFilters, TaskInput, TaskStatus } from '~/types/task'

const BOARD_PAGE_SIZE = 200

function filtersToQuery(filters: TaskFilters) {
  return {
    status: filters.status.length ? filters.status : undefined,
    assignee: filters.assignee ?? undefined,
    label: filters.label ?? undefined,
    dueBefore: filters.dueBefore ?? undefined,
    search: filters.search.trim() || undefined,
  }
}

export function useBoardTasks(projectId: MaybeRefOrGetter<number>, filters: Ref<TaskFilters>) {
  const api = useApi()

  const request = useAsyncData(
    () => `board-${toValue(projectId)}`,
    () => api<Paginated<Task>>(`/projects/${toValue(projectId)}/tasks/`, {
      query: { pageSize: BOARD_PAGE_SIZE, ordering: 'position', ...filtersToQuery(filters.value) },
    }),
    { watch: [filters], deep: true },
  )

  const tasksByStatus = computed(() => {
    const columns: Record<TaskStatus, Task[]> = {
      backlog: [],
      todo: [],
      in_progress: [],
      in_review: [],
      done: [],
    }
    for (const task of request.data.value?.results ?? []) {
      columns[task.status].push(task)
    }
    return columns
  })

  async function createTask(input: TaskInput) {
    const task = await api<Task>(`/projects/${toValue(projectId)}/tasks/`, { method: 'POST', body: input })
    await request.refresh()
    return task
  }

  async function moveTask(task: Task, status: TaskStatus, position: number) {
    const previous = { status: task.status, position: task.position }
    task.status = status
    task.position = position
    try {
      await api<Task>(`/tasks/${task.id}/move/`, { method: 'POST', body: { status, position } })
    }
    catch (error) {
      task.status = previous.status
      task.position = previous.position
      throw error
    }
  }

  return { ...request, tasksByStatus, createTask, moveTask }
}

export function useTask(taskId: MaybeRefOrGetter<number>) {
  const api = useApi()
  const request = useAsyncData(
    () => `task-${toValue(taskId)}`,
    () => api<Task>(`/tasks/${toValue(taskId)}/`),
  )

  async function updateTask(patch: Partial<TaskInput>) {
    request.data.value = await api<Task>(`/tasks/${toValue(taskId)}/`, { method: 'PATCH', body: patch })
  }

  async function archiveTask() {
    await api(`/tasks/${toValue(taskId)}/`, { method: 'DELETE' })
  }

  return { ...request, updateTask, archiveTask }
}

export function useProjectLabels(projectId: MaybeRefOrGetter<number>) {
  const api = useApi()
  return useAsyncData(
    () => `labels-${toValue(projectId)}`,
    async () => {
      const page = await api<Paginated<Label>>(`/projects/${toValue(projectId)}/labels/`, { query: { pageSize: 200 } })
      return page.results
    },
  )
}
