from django.conf import settings
from django.template.loader import render_to_string


def render_invoice_pdf_bytes(invoice):
    # WeasyPrint needs Pango and Cairo, which only the worker image installs, so it is imported here.
    from weasyprint import HTML

    html = render_to_string(
        "billing/invoice.html",
        {
            "invoice": invoice,
            "organization": invoice.organization,
            "customer": invoice.customer,
            "line_items": invoice.line_items.all(),
        },
    )
    return HTML(string=html, base_url=str(settings.STATIC_ROOT)).write_pdf()
