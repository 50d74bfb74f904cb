#!/usr/bin/python3
"""Confluent's own Python client (Debian's python3-confluent-kafka with python3-avro) against our
stack: `produce` registers UsageEvent and writes deterministic events, `consume` reads events that
our Java serializer wrote. Each prints the events it handled as JSON lines for the Java test to
compare field by field."""
import argparse
import datetime
import decimal
import json
import sys
import time

from confluent_kafka import Consumer, Producer
from confluent_kafka import avro as ck_avro
from confluent_kafka.avro.cached_schema_registry_client import CachedSchemaRegistryClient
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer

SCALE = decimal.Decimal("0.000000001")  # the schema's scale 9: the encoder needs it quantized


def event(i):
    return {
        "eventId": "py-%d" % i,
        "subscriptionId": "sub-%d" % (i % 3),
        "meterId": "compute.vcpu.hours",
        "quantity": (decimal.Decimal(i) * decimal.Decimal("1.5") + decimal.Decimal("0.123456789")).quantize(SCALE),
        "eventTime": datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(minutes=i),
        "region": None if i % 2 == 0 else "eu-west",
        "resourceId": "vm-%d" % i,
        "attributes": {"index": str(i), "source": "python"},
    }


def as_json(value):
    out = dict(value)
    out["quantity"] = str(value["quantity"])
    t = value["eventTime"]
    out["eventTime"] = t if isinstance(t, int) else int(t.timestamp() * 1000)
    return json.dumps(out, sort_keys=True)


# The key is the subscription id as plain UTF-8 (CONTRACT.md), so only the value goes through
# Confluent's Avro serializer; its AvroProducer/AvroConsumer would insist on Avro keys too.
def serializer(args):
    return MessageSerializer(CachedSchemaRegistryClient({"url": args.registry}))


def produce(args):
    schema = ck_avro.loads(open(args.schema).read())
    avro_values = serializer(args)
    producer = Producer({"bootstrap.servers": args.bootstrap})
    for i in range(args.count):
        value = event(i)
        framed = avro_values.encode_record_with_schema(args.topic, schema, value)
        producer.produce(topic=args.topic, key=value["subscriptionId"].encode("utf-8"), value=framed)
        print(as_json(value))
    remaining = producer.flush(30)
    if remaining:
        sys.exit("%d messages not delivered" % remaining)


def consume(args):
    avro_values = serializer(args)
    consumer = Consumer({"bootstrap.servers": args.bootstrap,
                         "group.id": "python-interop-%d" % time.time_ns(), "auto.offset.reset": "earliest"})
    consumer.subscribe([args.topic])
    seen = 0
    deadline = time.time() + 60
    while seen < args.count and time.time() < deadline:
        msg = consumer.poll(1.0)
        if msg is None:
            continue
        if msg.error():
            sys.exit("consume error: %s" % msg.error())
        value = avro_values.decode_message(msg.value())
        if msg.key().decode("utf-8") != value["subscriptionId"]:
            sys.exit("key %r is not the subscription id %r" % (msg.key(), value["subscriptionId"]))
        print(as_json(value))
        seen += 1
    consumer.close()
    if seen < args.count:
        sys.exit("read %d of %d messages" % (seen, args.count))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["produce", "consume"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--registry", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--schema", help="the UsageEvent .avsc (produce)")
    args = parser.parse_args()
    produce(args) if args.mode == "produce" else consume(args)
