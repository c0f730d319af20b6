import type { UserSummary } from './api'

export type TaskStatus = 'backlog' | 'todo' | 'in_progress' | 'in_review' | 'done'

export const TASK_STATUSES: { value: TaskStatus, label: string }[] = [
  { value: 'backlog', label: 'Backlog' },
  { value: 'todo', label: 'To do' },
  { value: 'in_progress', label: 'In progress' },
  { value: 'in_review', label: 'In review' },
  { value: 'done', label: 'Done' },
]

export interface Label {
  id: number
  name: string
  color: string
}

export interface Task {
  id: number
  key: string
  number: number
  project: number
  parentId: number | null
  title: string
  description: string
  status: TaskStatus
  position: number
  assignee: UserSummary | null
  labels: Label[]
  dueDate: string | null
  isOverdue: boolean
  commentCount: number
  subtaskProgress: { done: number, total: number }
  createdBy: UserSummary | null
  completedAt: string | null
  archivedAt: string | null
  createdAt: string
  updatedAt: string
}

export interface TaskInput {
  title: string
  description?: string
  status?: TaskStatus
  assigneeId?: number | null
  labelIds?: number[]
  parentId?: number | null
  dueDate?: string | null
}

export interface TaskFilters {
  status: TaskStatus[]
  assignee: number | null
  label: number | null
  dueBefore: string | null
  search: string
}

export interface Comment {
  id: number
  task: number
  author: UserSummary | null
  body: string
  isEdited: boolean
  createdAt: string
  updatedAt: string
}
