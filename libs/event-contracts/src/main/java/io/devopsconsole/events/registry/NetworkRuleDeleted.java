package io.devopsconsole.events.registry;

import java.util.UUID;

/** A network rule was deleted. */
public record NetworkRuleDeleted(UUID ruleId, String cidr, long version) implements NetworkRuleEvent {

    public static final String TYPE = "io.devopsconsole.registry.network_rule.deleted.v1";

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
