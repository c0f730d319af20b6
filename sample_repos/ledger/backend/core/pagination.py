from rest_framework.pagination import CursorPagination


class LedgerCursorPagination(CursorPagination):
    """Default pagination for every list endpoint.

    Cursor pagination stays stable while invoices and payments are inserted concurrently
    and never issues COUNT(*) against the large billing tables.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-created_at", "-id")
