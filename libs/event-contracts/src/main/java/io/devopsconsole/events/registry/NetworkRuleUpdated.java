package io.devopsconsole.events.registry;

import java.util.List;
import java.util.UUID;

/** A network rule changed; the fields are its new state. */
public record NetworkRuleUpdated(
        UUID ruleId,
        String cidr,
        UUID siteId,
        String accessPath,
        UUID tunnelProfileId,
        String description,
        long version,
        List<String> changedFields)
        implements NetworkRuleEvent {

    public static final String TYPE = "io.devopsconsole.registry.network_rule.updated.v1";

    public NetworkRuleUpdated {
        changedFields = List.copyOf(changedFields);
    }

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
