// Shapes returned by the Django API. Keys arrive in camelCase (djangorestframework-camel-case);
// enum values stay snake_case.

export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'void' | 'uncollectible'
export type PaymentStatus = 'pending' | 'succeeded' | 'failed' | 'refunded'
export type PaymentMethod = 'card' | 'sepa_debit' | 'bank_transfer'
export type DunningStage = 'first_reminder' | 'second_reminder' | 'final_notice'

export interface CursorPage<T> {
  next: string | null
  previous: string | null
  results: T[]
}

export interface CustomerSummary {
  id: string
  name: string
  email: string
  currency: string
}

export interface Customer extends CustomerSummary {
  billingAddress: string
  taxId: string
  isArchived: boolean
  createdAt: string
  updatedAt: string
}

export interface InvoiceListItem {
  id: string
  number: string
  status: InvoiceStatus
  customer: string
  customerName: string
  currency: string
  total: string
  amountDue: string
  issueDate: string | null
  dueDate: string | null
  isOverdue: boolean
  lineItemCount: number
  createdAt: string
}

export interface InvoiceLineItem {
  id: string
  position: number
  description: string
  quantity: string
  unitPrice: string
  taxRate: string
  amount: string
}

export interface Payment {
  id: string
  invoice: string
  invoiceNumber: string
  amount: string
  currency: string
  status: PaymentStatus
  method: PaymentMethod
  paidAt: string | null
  failureReason: string
  createdAt: string
}

export interface DunningNotice {
  id: string
  stage: DunningStage
  status: 'queued' | 'sent' | 'cancelled' | 'failed'
  sentAt: string | null
  createdAt: string
}

export interface InvoiceDetail {
  id: string
  number: string
  status: InvoiceStatus
  customer: CustomerSummary
  currency: string
  issueDate: string | null
  dueDate: string | null
  subtotal: string
  taxTotal: string
  total: string
  amountPaid: string
  amountDue: string
  isOverdue: boolean
  memo: string
  lineItems: InvoiceLineItem[]
  payments: Payment[]
  dunningNotices: DunningNotice[]
  hasPdf: boolean
  finalizedAt: string | null
  paidAt: string | null
  voidedAt: string | null
  createdAt: string
  updatedAt: string
}
