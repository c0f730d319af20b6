export interface Paginated<T> {
  count: number
  next: string | null
  previous: string | null
  results: T[]
}

export interface ApiValidationError {
  detail?: string
  nonFieldErrors?: string[]
  [field: string]: string | string[] | undefined
}

export interface UserSummary {
  id: number
  fullName: string
  email: string
  avatarUrl: string
}

export interface Me extends UserSummary {
  timezone: string
  dateJoined: string
}

export type WorkspaceRole = 'owner' | 'admin' | 'member'

export interface Workspace {
  id: number
  name: string
  slug: string
  role: WorkspaceRole | null
  createdAt: string
}

export interface Membership {
  id: number
  user: UserSummary
  role: WorkspaceRole
  createdAt: string
}

export type ProjectStatus = 'active' | 'on_hold' | 'completed' | 'archived'

export interface Project {
  id: number
  workspace: number
  name: string
  key: string
  description: string
  status: ProjectStatus
  lead: UserSummary | null
  autoArchiveAfterDays: number | null
  openTaskCount: number
  createdAt: string
  updatedAt: string
}

export type ActivityVerb =
  | 'project_created'
  | 'task_created'
  | 'task_updated'
  | 'task_status_changed'
  | 'task_assigned'
  | 'task_archived'
  | 'comment_added'
  | 'member_joined'

export interface ActivityEvent {
  id: number
  verb: ActivityVerb
  actor: UserSummary | null
  project: number | null
  task: number | null
  taskKey: string | null
  taskTitle: string | null
  payload: Record<string, unknown>
  createdAt: string
}
