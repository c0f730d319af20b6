import type { Appointment, AvailabilitySlot, Paginated, Practitioner } from '~/types/scheduling'

export function useClinicApi() {
  const config = useRuntimeConfig()
  const token = useCookie<string | null>('clinic_token')

  const api = $fetch.create({
    baseURL: config.public.apiBase,
    onRequest({ options }) {
      if (token.value) {
        options.headers.set('Authorization', `Token ${token.value}`)
      }
    },
  })

  async function fetchAllPages<T>(path: string, query: Record<string, string | number>): Promise<T[]> {
    const items: T[] = []
    let page = 1
    while (true) {
      const response = await api<Paginated<T>>(path, { query: { ...query, page } })
      items.push(...response.results)
      if (!response.next) {
        return items
      }
      page += 1
    }
  }

  return {
    listPractitioners: () => fetchAllPages<Practitioner>('/practitioners/', {}),
    listAppointments: (practitionerId: number, from: string, to: string) =>
      fetchAllPages<Appointment>('/appointments/', {
        practitioner: practitionerId,
        starts_at__gte: from,
        starts_at__lt: to,
      }),
    listSlots: (practitionerId: number, from: string, to: string) =>
      fetchAllPages<AvailabilitySlot>('/availability-slots/', {
        practitioner: practitionerId,
        starts_at__gte: from,
        starts_at__lt: to,
      }),
    cancelAppointment: (id: number, reason: string) =>
      api<Appointment>(`/appointments/${id}/cancel/`, { method: 'POST', body: { reason } }),
    completeAppointment: (id: number) =>
      api<Appointment>(`/appointments/${id}/complete/`, { method: 'POST' }),
  }
}
