package cms.api.hierarchy;

import cms.avro.PriceBookVersion;

import java.util.List;

/** A price book: its version in effect now (else the first) and every version, oldest first. */
public record PriceBook(String id, PriceBookVersion current, List<PriceBookVersion> versions) {
    public String currency() {
        return current.getCurrency();
    }
}
