"""Invoices come from the ERP as one XML export per night; the portal serves
each customer the invoices of their own account."""
from fastapi import APIRouter, Depends, HTTPException, Query
from lxml import etree

from portal.auth import Customer, current_customer

router = APIRouter(prefix="/api/invoices")
EXPORT = "/srv/erp/invoices.xml"


def _document():
    return etree.parse(EXPORT)


def _as_dict(node):
    return {
        "number": node.get("number"),
        "date": node.findtext("date"),
        "total": node.findtext("total"),
        "currency": node.findtext("currency", default="EUR"),
    }


@router.get("")
def list_invoices(year: str = Query("2024"), customer: Customer = Depends(current_customer)):
    wanted = year.strip()
    if not wanted:
        raise HTTPException(status_code=400, detail="year is required")
    path = "/invoices/account[@id='%d']/invoice[@year=%s]" % (customer.account_id, wanted)
    nodes = _document().xpath(path)
    return {"year": year, "invoices": [_as_dict(n) for n in nodes]}
