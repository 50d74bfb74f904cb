package cms.api.query;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;

/** Amounts: exact decimals, rounded only for statements. */
public final class Money {
    /** Half-even to the currency's minor unit (java.util.Currency's default fraction digits). */
    public static BigDecimal round(BigDecimal amount, String currency) {
        int digits = Currency.getInstance(currency).getDefaultFractionDigits();
        // price books refuse currencies without a minor unit; should one appear anyway, whole units
        return amount.setScale(Math.max(digits, 0), RoundingMode.HALF_EVEN);
    }

    /** The decimal string the API answers with: never a JSON number, never an exponent. */
    public static String text(BigDecimal amount) {
        return amount == null ? null : amount.toPlainString();
    }

    private Money() {}
}
