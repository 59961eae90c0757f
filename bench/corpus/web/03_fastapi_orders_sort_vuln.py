from typing import Optional

import asyncpg
from fastapi import Depends, FastAPI, Query

app = FastAPI(title="orders-api")

SORTABLE = {"created_at", "total", "status"}


async def get_conn():
    conn = await asyncpg.connect(dsn="postgresql://orders@db/orders")
    try:
        yield conn
    finally:
        await conn.close()


@app.get("/v1/orders")
async def list_orders(
    customer_id: int,
    sort: str = Query("created_at"),
    direction: str = Query("desc"),
    status: Optional[str] = None,
    conn=Depends(get_conn),
):
    order_dir = "ASC" if direction.lower() == "asc" else "DESC"
    query = "SELECT id, status, total, created_at FROM orders WHERE customer_id = $1"
    args = [customer_id]
    if status:
        query += " AND status = $2"
        args.append(status)
    query += f" ORDER BY {sort} {order_dir} LIMIT 200"
    rows = await conn.fetch(query, *args)
    return [dict(r) for r in rows]
