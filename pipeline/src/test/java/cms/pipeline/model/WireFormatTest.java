package cms.pipeline.model;

import cms.avro.CommissionShare;
import cms.avro.ShareTier;
import cms.avro.UsageEvent;
import cms.pipeline.Fixtures;
import org.apache.avro.Schema;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The hand-written wire format carries every field of the records and of the Avro types inside them. */
class WireFormatTest {
    @Test
    void theFormatListsEveryFieldOfTheAvroTypesItCarries() {
        assertThat(UsageEvent.getClassSchema().getFields()).extracting(Schema.Field::name).containsExactlyElementsOf(WireFormat.USAGE_FIELDS);
        assertThat(CommissionShare.getClassSchema().getFields()).extracting(Schema.Field::name).containsExactlyElementsOf(WireFormat.SHARE_FIELDS);
        assertThat(ShareTier.getClassSchema().getFields()).extracting(Schema.Field::name).containsExactlyElementsOf(WireFormat.TIER_FIELDS);
    }

    @Test
    void theRecordsTypeInformationNamesTheirOwnSerializers() {
        var config = new ExecutionConfig().getSerializerConfig();
        assertThat(TypeInformation.of(ValidUsage.class).createSerializer(config)).isSameAs(ValidUsageSerializer.INSTANCE);
        assertThat(TypeInformation.of(RatedEvent.class).createSerializer(config)).isSameAs(RatedEventSerializer.INSTANCE);
    }

    @Test
    void aValidUsageAndARatedEventComeBackWhole() throws Exception {
        UsageEvent e = Fixtures.usage("e-ü", "s1", "m", "123456789012345678.123456789", "2026-01-10T10:00:00.123Z", "eu");
        e.setResourceId("r1");
        e.setAttributes(Map.of("k", "v", "ü", "日本"));
        ValidUsage v = Fixtures.valid(e, 1_000L, 5_000L);
        ValidUsage back = ValidUsageSerializer.INSTANCE.roundTrip(v);
        assertThat(back.event).isEqualTo(v.event);
        assertThat(back.event.getQuantity()).isEqualTo(v.event.getQuantity());
        assertThat(back.source).isEqualTo(v.source);
        assertThat(back.partitionWatermark).isEqualTo(5_000L);
        ValidUsage bare = ValidUsageSerializer.INSTANCE.roundTrip(new ValidUsage(Fixtures.usage("e2", "s1", "m", "1", "2026-01-10T10:00:00Z"), null));
        assertThat(bare.source).isNull();
        assertThat(bare.event.getRegion()).isNull();
        assertThat(bare.partitionWatermark).isEqualTo(Long.MIN_VALUE);

        RatedEvent r = new RatedEvent();
        r.event = e;
        r.tenantId = "t1";
        r.partnerId = "p1";
        r.distributorId = "d1";
        r.priceBookId = "b1";
        r.priceBookVersion = 42;
        r.currency = "EUR";
        r.amount = new BigDecimal("1.000000000000000001");
        r.partnerCommission = new BigDecimal("99999999999999999999.123456789012345678");
        r.distributorCommission = BigDecimal.ZERO.setScale(18);
        r.partnerPlanId = "pp";
        r.partnerShare = Fixtures.graduated(Fixtures.shareTier("1000", "0.10"), Fixtures.shareTier(null, "0.15"));
        r.distributorShare = Fixtures.flat("0.05");
        r.period = "2026-01";
        r.bookedPeriod = "2026-02";
        r.lateAdjustment = true;
        r.bookingTime = 7;
        r.receivedAt = 8;
        r.source = v.source;
        RatedEvent copy = RatedEventSerializer.INSTANCE.roundTrip(r);
        assertThat(copy).usingRecursiveComparison().isEqualTo(r);
        assertThat(copy.amount.scale()).isEqualTo(18);
        assertThat(copy.distributorCommission.scale()).isEqualTo(18);
        assertThat(RatedEventSerializer.INSTANCE.copy(r)).usingRecursiveComparison().isEqualTo(r);
        RatedEvent sparse = RatedEventSerializer.INSTANCE.roundTrip(new RatedEvent() {{ event = e; }});
        assertThat(sparse).usingRecursiveComparison().isEqualTo(new RatedEvent() {{ event = e; }});

        RawRecord failed = new RawRecord("t", 0, 1, 2, null, new byte[] {1}).failed(cms.avro.DeadLetterReason.INVALID, "bad", "e1");
        ValidUsage withFailed = new ValidUsage(e, failed);
        assertThat(ValidUsageSerializer.INSTANCE.roundTrip(withFailed).source).isEqualTo(failed);
    }
}
