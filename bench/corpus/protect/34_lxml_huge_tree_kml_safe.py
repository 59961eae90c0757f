"""Parse KML route files uploaded by drivers into coordinate lists."""
from fastapi import FastAPI, File, HTTPException, UploadFile
from lxml import etree

app = FastAPI()
KML_NS = {"kml": "http://www.opengis.net/kml/2.2"}
MAX_UPLOAD = 20 * 1024 * 1024


def parse_route(data: bytes):
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(data, parser)
    points = []
    for coords in root.iterfind(".//kml:LineString/kml:coordinates", KML_NS):
        for triple in (coords.text or "").split():
            lon, lat = triple.split(",")[:2]
            points.append((float(lat), float(lon)))
    return points


@app.post("/routes")
async def upload_route(file: UploadFile = File(...)):
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise HTTPException(status_code=413, detail="route file too large")
    try:
        points = parse_route(data)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise HTTPException(status_code=400, detail="invalid KML: %s" % exc)
    if len(points) < 2:
        raise HTTPException(status_code=422, detail="route needs at least two points")
    return {"points": len(points), "start": points[0], "end": points[-1]}
