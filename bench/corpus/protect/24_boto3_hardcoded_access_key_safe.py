"""Upload generated invoices to the archive bucket."""
import datetime
import logging
import mimetypes
import os

import boto3

LOG = logging.getLogger(__name__)
BUCKET = os.environ.get("INVOICE_BUCKET", "acme-invoice-archive")


def _client():
    return boto3.client(
        "s3",
        region_name=os.environ.get("AWS_REGION", "eu-west-1"),
    )


def archive_invoice(path, customer_id):
    today = datetime.date.today()
    key = "%s/%04d/%02d/%s" % (customer_id, today.year, today.month, os.path.basename(path))
    content_type = mimetypes.guess_type(path)[0] or "application/pdf"
    with open(path, "rb") as fh:
        _client().put_object(
            Bucket=BUCKET,
            Key=key,
            Body=fh,
            ContentType=content_type,
            ServerSideEncryption="aws:kms",
        )
    LOG.info("archived %s as s3://%s/%s", path, BUCKET, key)
    return key
