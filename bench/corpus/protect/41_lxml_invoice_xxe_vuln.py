"""Parse UBL invoices received from suppliers over the EDI gateway."""
from decimal import Decimal

from lxml import etree

NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}


class InvoiceError(Exception):
    pass


def parse_invoice(payload):
    parser = etree.XMLParser(load_dtd=True, resolve_entities=True)
    try:
        root = etree.fromstring(payload, parser)
    except etree.XMLSyntaxError as exc:
        raise InvoiceError("malformed invoice: %s" % exc)
    number = root.findtext("cbc:ID", namespaces=NS)
    supplier = root.findtext(
        "cac:AccountingSupplierParty/cac:Party/cac:PartyName/cbc:Name", namespaces=NS)
    total = root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS)
    if not number or total is None:
        raise InvoiceError("invoice lacks ID or PayableAmount")
    lines = []
    for line in root.iterfind("cac:InvoiceLine", NS):
        lines.append({
            "description": line.findtext("cac:Item/cbc:Name", namespaces=NS),
            "amount": Decimal(line.findtext("cbc:LineExtensionAmount", "0", namespaces=NS)),
        })
    return {"number": number, "supplier": supplier, "total": Decimal(total), "lines": lines}
