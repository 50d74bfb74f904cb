#!/usr/bin/python3
"""Produces usage to Kafka with Confluent's own Python client (Debian's python3-confluent-kafka with
python3-avro), as an outside producer of the product would: the journeys' tests use it so the events
they rate never pass through the project's Java serializer.

Reads events as JSON lines on stdin, one per line:
    {"eventId": "e1", "subscriptionId": "s1", "meterId": "compute.vcpu.hours", "quantity": "12.5",
     "eventTime": 1793404800000, "region": "eu-west", "resourceId": "vm-1", "attributes": {"k": "v"},
     "partition": 2}
quantity is a decimal string (at most 9 decimals), eventTime epoch milliseconds (UTC); region,
resourceId, attributes and partition are optional (partition: write to that partition instead of
the one librdkafka's partitioner picks for the key). Each record's key is the subscription id as
UTF-8, its value the UsageEvent in the Confluent wire format (magic byte 0, 4-byte big-endian schema
id, Avro binary), the schema registered under <topic>-value by the legacy confluent_kafka.avro
MessageSerializer. Records are produced in input order (idempotent producer: order kept per
partition), flushed, and one JSON report is printed on stdout:
    {"produced": 12, "delivered": 12, "failed": [], "partitions": {"0": 5, ...}, "elapsedMs": 312}
Exit code 0 only when every record was acknowledged (acks=all).
"""
import argparse
import datetime
import decimal
import json
import sys
import time

from confluent_kafka import Producer
from confluent_kafka import avro as ck_avro
from confluent_kafka.avro.cached_schema_registry_client import CachedSchemaRegistryClient
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer

SCALE = decimal.Decimal("0.000000001")  # the schema's scale 9: the encoder needs it quantized
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def usage_event(line):
    quantity = decimal.Decimal(line["quantity"])
    if quantity != quantity.quantize(SCALE):
        raise ValueError("quantity %s has more than 9 decimals" % line["quantity"])
    return {
        "eventId": line["eventId"],
        "subscriptionId": line["subscriptionId"],
        "meterId": line["meterId"],
        "quantity": quantity.quantize(SCALE),
        "eventTime": EPOCH + datetime.timedelta(milliseconds=int(line["eventTime"])),
        "region": line.get("region"),
        "resourceId": line.get("resourceId"),
        "attributes": dict(line.get("attributes") or {}),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--registry", required=True, help="Confluent Schema Registry API base URL")
    parser.add_argument("--topic", required=True)
    parser.add_argument("--schema", required=True, help="UsageEvent.avsc")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for acknowledgements")
    args = parser.parse_args()

    began = time.monotonic()
    schema = ck_avro.loads(open(args.schema).read())
    values = MessageSerializer(CachedSchemaRegistryClient({"url": args.registry}))
    producer = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True, "acks": "all",
                         "linger.ms": 5})
    delivered = []
    failed = []

    def on_delivery(err, msg):
        if err is not None:
            failed.append({"key": msg.key().decode("utf-8"), "error": str(err)})
        else:
            delivered.append(msg.partition())

    produced = 0
    for raw in sys.stdin:
        if not raw.strip():
            continue
        line = json.loads(raw)
        value = usage_event(line)
        framed = values.encode_record_with_schema(args.topic, schema, value)
        kwargs = {"topic": args.topic, "key": value["subscriptionId"].encode("utf-8"), "value": framed,
                  "on_delivery": on_delivery}
        if line.get("partition") is not None:
            kwargs["partition"] = int(line["partition"])
        while True:
            try:
                producer.produce(**kwargs)
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
        produced += 1
    remaining = producer.flush(args.timeout)

    partitions = {}
    for p in delivered:
        partitions[str(p)] = partitions.get(str(p), 0) + 1
    report = {"produced": produced, "delivered": len(delivered), "failed": failed, "unacknowledged": remaining,
              "partitions": partitions, "elapsedMs": int((time.monotonic() - began) * 1000)}
    print(json.dumps(report, sort_keys=True))
    sys.exit(0 if remaining == 0 and not failed and len(delivered) == produced else 1)


if __name__ == "__main__":
    main()
