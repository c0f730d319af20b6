import type { Paginated } from '~/types/api'
import type { Comment } from '~/types/task'

export function useComments(taskId: MaybeRefOrGetter<number>) {
  const api = useApi()
  const request = useAsyncData(
    () => `comments-${toValue(taskId)}`,
    () => api<Paginated<Comment>>(`/tasks/${toValue(taskId)}/comments/`, { query: { pageSize: 100 } }),
  )

  async function addComment(body: string) {
    await api<Comment>(`/tasks/${toValue(taskId)}/comments/`, { method: 'POST', body: { body } })
    await request.refresh()
  }

  async function editComment(commentId: number, body: string) {
    await api<Comment>(`/comments/${commentId}/`, { method: 'PATCH', body: { body } })
    await request.refresh()
  }

  async function deleteComment(commentId: number) {
    await api(`/comments/${commentId}/`, { method: 'DELETE' })
    await request.refresh()
  }

  return { ...request, addComment, editComment, deleteComment }
}
