package io.devopsconsole.events;

/**
 * A fact one service announces to the others. Every concrete event is a record under the sealed
 * interface of its domain (for example {@link io.devopsconsole.events.registry.RegistryEvent}).
 */
public interface DomainEvent {

    /** The id of the aggregate the event is about; it is the CloudEvent subject and the Kafka key. */
    String aggregateId();

    /** The kind of resource the aggregate is ("project", "ssh_target", ...). */
    String resourceType();

    /** A human-readable name of the resource, for audit summaries. */
    String resourceName();
}
