// Shapes returned by the Django API (keys arrive camelCased; status values stay snake_case).

export type AppointmentStatus = 'booked' | 'completed' | 'cancelled'
export type AppointmentType = 'initial_assessment' | 'follow_up' | 'sports_massage'
export type Profession = 'physiotherapist' | 'sports_massage_therapist' | 'osteopath'

export interface Paginated<T> {
  count: number
  next: string | null
  previous: string | null
  results: T[]
}

export interface Practitioner {
  id: number
  displayName: string
  profession: Profession
  isActive: boolean
}

export interface Patient {
  id: number
  firstName: string
  lastName: string
  fullName: string
  dateOfBirth: string
  mobilePhone: string
  email: string
  smsOptIn: boolean
  createdAt: string
}

export interface AvailabilitySlot {
  id: number
  practitioner: number
  practitionerName: string
  startsAt: string
  endsAt: string
  durationMinutes: number
  isBooked: boolean
}

export interface Appointment {
  id: number
  practitioner: number
  practitionerName: string
  patient: number
  patientName: string
  slot: number
  appointmentType: AppointmentType
  status: AppointmentStatus
  startsAt: string
  endsAt: string
  notes: string
  cancelledAt: string | null
  cancellationReason: string
  isLateCancellation: boolean
  reminderSentAt: string | null
  createdAt: string
}

export const APPOINTMENT_TYPE_LABELS: Record<AppointmentType, string> = {
  initial_assessment: 'Initial assessment',
  follow_up: 'Follow-up',
  sports_massage: 'Sports massage',
}
