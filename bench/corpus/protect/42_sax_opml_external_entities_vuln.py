"""Import a user's feed subscriptions from an uploaded OPML file."""
import xml.sax
from xml.sax.handler import ContentHandler, feature_external_ges


class OutlineCollector(ContentHandler):
    def __init__(self):
        super().__init__()
        self.feeds = []

    def startElement(self, name, attrs):
        if name != "outline":
            return
        url = attrs.get("xmlUrl")
        if url and url.startswith(("http://", "https://")):
            self.feeds.append({"title": attrs.get("title") or attrs.get("text") or url, "url": url})


def read_opml(stream):
    handler = OutlineCollector()
    parser = xml.sax.make_parser()
    parser.setContentHandler(handler)
    parser.setFeature(feature_external_ges, True)
    parser.parse(stream)
    return handler.feeds


def import_subscriptions(user, upload, store):
    feeds = read_opml(upload)
    added = 0
    for feed in feeds[:500]:
        if store.subscribe(user, feed["url"], feed["title"]):
            added += 1
    return {"found": len(feeds), "added": added}
