package io.devopsconsole.events.registry;

import java.util.UUID;

/** A CIDR network rule was added. */
public record NetworkRuleCreated(
        UUID ruleId,
        String cidr,
        UUID siteId,
        String accessPath,
        UUID tunnelProfileId,
        String description,
        long version)
        implements NetworkRuleEvent {

    public static final String TYPE = "io.devopsconsole.registry.network_rule.created.v1";

    @Override
    public String aggregateId() {
        return ruleId.toString();
    }

    @Override
    public String resourceType() {
        return "network_rule";
    }

    @Override
    public String resourceName() {
        return cidr;
    }
}
