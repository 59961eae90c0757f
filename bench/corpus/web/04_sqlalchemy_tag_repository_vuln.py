"""Tag storage used by the asset catalogue service."""
import logging

from sqlalchemy import text
from sqlalchemy.orm import Session

LOG = logging.getLogger(__name__)


class TagRepository:
    def __init__(self, session: Session):
        self._session = session

    def add(self, asset_id, tag):
        self._session.execute(
            text("INSERT INTO asset_tags (asset_id, tag) VALUES (:a, :t)"),
            {"a": asset_id, "t": tag},
        )

    def assets_with_tags(self, tags, owner):
        """Return asset ids that carry every tag in ``tags`` and belong to owner."""
        if not tags:
            return []
        tag_list = ", ".join("'%s'" % t for t in tags)
        LOG.debug("looking up %d tags for %s", len(tags), owner)
        return self._session.execute(
            text(
                "SELECT asset_id FROM asset_tags JOIN assets ON assets.id = asset_id "
                "WHERE assets.owner = :owner AND tag IN (%s) "
                "GROUP BY asset_id HAVING COUNT(DISTINCT tag) = :n" % tag_list
            ),
            {"owner": owner, "n": len(set(tags))},
        ).scalars().all()

    def remove(self, asset_id, tag):
        self._session.execute(
            text("DELETE FROM asset_tags WHERE asset_id = :a AND tag = :t"),
            {"a": asset_id, "t": tag},
        )
