package cms.hierarchy;

import cms.avro.NodeLevel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LevelsTest {
    @Test
    void eachLevelsParentIsOneLevelUpAndADistributorHasNone() {
        assertThat(Levels.parentOf(NodeLevel.SUBSCRIPTION)).isEqualTo(NodeLevel.TENANT);
        assertThat(Levels.parentOf(NodeLevel.TENANT)).isEqualTo(NodeLevel.PARTNER);
        assertThat(Levels.parentOf(NodeLevel.PARTNER)).isEqualTo(NodeLevel.DISTRIBUTOR);
        assertThat(Levels.parentOf(NodeLevel.DISTRIBUTOR)).isNull();
    }
}
