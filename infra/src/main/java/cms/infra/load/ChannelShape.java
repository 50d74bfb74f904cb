package cms.infra.load;

/**
 * A regular channel of any size with deterministic ids, so the onboarding (through the API) and the
 * usage generator name the same nodes: {@code <prefix>-d<i>} distributors, each with
 * {@code partnersPerDistributor} partners {@code <prefix>-d<i>-p<j>}, each with tenants
 * {@code ...-t<k>}, each with subscriptions {@code ...-s<l>}.
 */
public record ChannelShape(String prefix, int distributors, int partnersPerDistributor, int tenantsPerPartner,
                           int subscriptionsPerTenant) {

    public ChannelShape {
        if (!prefix.matches("[a-z0-9][a-z0-9-]{0,15}")) {
            throw new IllegalArgumentException("prefix must match [a-z0-9][a-z0-9-]{0,15}, was '" + prefix + "'");
        }
        if (distributors < 1 || partnersPerDistributor < 1 || tenantsPerPartner < 1 || subscriptionsPerTenant < 1) {
            throw new IllegalArgumentException("every level needs at least one node: " + distributors + "/"
                    + partnersPerDistributor + "/" + tenantsPerPartner + "/" + subscriptionsPerTenant);
        }
    }

    public int partners() {
        return distributors * partnersPerDistributor;
    }

    public int tenants() {
        return partners() * tenantsPerPartner;
    }

    public int subscriptions() {
        return tenants() * subscriptionsPerTenant;
    }

    public String distributorId(int d) {
        return prefix + "-d" + d;
    }

    public String partnerId(int d, int p) {
        return distributorId(d) + "-p" + p;
    }

    public String tenantId(int d, int p, int t) {
        return partnerId(d, p) + "-t" + t;
    }

    public String subscriptionId(int d, int p, int t, int s) {
        return tenantId(d, p, t) + "-s" + s;
    }

    /** The n-th subscription (0 &lt;= n &lt; subscriptions()), in onboarding order. */
    public String subscription(int n) {
        if (n < 0 || n >= subscriptions()) {
            throw new IndexOutOfBoundsException(n + " not in 0.." + (subscriptions() - 1));
        }
        int s = n % subscriptionsPerTenant;
        int tenant = n / subscriptionsPerTenant;
        int t = tenant % tenantsPerPartner;
        int partner = tenant / tenantsPerPartner;
        int p = partner % partnersPerDistributor;
        int d = partner / partnersPerDistributor;
        return subscriptionId(d, p, t, s);
    }
}
