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
        region_name="eu-west-1",
        aws_access_key_id="AKIA4QX7RZ2MPLK3N8TB",
        aws_secret_access_key="q9Zt1vJx0pW3rK8sYb6Lm2Nc5Hd7Fg4Ae1Ti9Uo0",
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
