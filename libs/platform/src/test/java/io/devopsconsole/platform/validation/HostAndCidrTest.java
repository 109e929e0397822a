package io.devopsconsole.platform.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostAndCidrTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "10.76.22.150",
                "0.0.0.0",
                "255.255.255.255",
                "::1",
                "fe80::1",
                "[2001:db8::7]",
                "2001:db8:0:0:0:0:2:1",
                "devops-test-001",
                "host.example.com",
                "a",
                "xn--bcher-kva.ch",
                "host.example.com."
            })
    void validHosts(String host) {
        assertThat(HostNames.isValid(host)).as(host).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "10.0.0.999",
                "10.0.0",
                "1.2.3.4.5",
                "010.0.0.1",
                "host;rm -rf /",
                "",
                " ",
                "-host",
                "host-",
                "ho_st",
                "a..b",
                "$(id)",
                "`id`",
                "host name",
                "1:2:3:4:5:6:7:8:9",
                "[::1",
                "10.0.0.1/24",
                "localhost:22",
                "user@host",
                "%0a",
                "123",
                "::ffff:10.0.0.1"
            })
    void invalidHosts(String host) {
        assertThat(HostNames.isValid(host)).as(host).isFalse();
    }

    @Test
    void overlongNamesAreInvalid() {
        assertThat(HostNames.isValid("a".repeat(64))).isFalse();
        assertThat(HostNames.isValid(("a".repeat(60) + ".").repeat(5) + "com")).isFalse();
        assertThat(HostNames.isValid("a".repeat(300))).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
        "10.76.20.0/22,10.76.20.0/22,22",
        "10.76.22.9/22,10.76.20.0/22,22",
        "10.26.0.0/16,10.26.0.0/16,16",
        "0.0.0.0/0,0.0.0.0/0,0",
        "192.168.1.7/32,192.168.1.7/32,32",
        "2001:db8::1/32,2001:db8::/32,32",
        "fd00::/8,fd00::/8,8"
    })
    void cidrsAreParsedAndCanonicalized(String text, String canonical, int prefix) {
        Cidr cidr = Cidr.parse(text).orElseThrow();
        assertThat(cidr.canonical()).isEqualTo(canonical);
        assertThat(cidr.prefixLength()).isEqualTo(prefix);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "10.76.20.0",
                "10.76.20.0/33",
                "10.76.20.0/-1",
                "10.76.20.0/",
                "/22",
                "10.0.0.999/8",
                "fd00::/129",
                "host/24",
                "10.0.0.0/8/8",
                "10.0.0.0/ 8",
                ""
            })
    void malformedCidrsAreRejected(String text) {
        assertThat(Cidr.parse(text)).as(text).isEmpty();
    }

    @Test
    void containment() {
        Cidr lab = Cidr.parse("10.26.0.0/16").orElseThrow();
        assertThat(lab.contains("10.26.200.3")).isTrue();
        assertThat(lab.contains("10.27.0.1")).isFalse();
        assertThat(lab.contains("fd00::1")).isFalse();
        assertThat(lab.contains("lab-host")).isFalse();
        assertThat(Cidr.parse("fd00::/8").orElseThrow().contains("fd12::5")).isTrue();
        assertThat(Cidr.parse("0.0.0.0/0").orElseThrow().contains("8.8.8.8")).isTrue();
    }
}
