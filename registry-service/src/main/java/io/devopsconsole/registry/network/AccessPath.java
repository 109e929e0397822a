package io.devopsconsole.registry.network;

/** How the console reaches a host: directly on the LAN, or through a tunnel profile. */
public enum AccessPath {
    lan,
    tunnel
}
