/**
 * Paraflow's own security layer for the cluster: Hazelcast Community has neither TLS nor member
 * authentication, so everything Paraflow sends between members is authenticated and encrypted here with
 * standard JDK cryptography.
 *
 * <p>A {@link io.paraflow.cluster.security.ClusterSecret} is shared by the driver and every worker (written
 * by {@code paraflow secret}, given by file or environment, never on a command line). Its
 * {@link io.paraflow.cluster.security.ClusterCipher} seals each message with AES-256-GCM under a key
 * derived from the secret (HKDF-SHA256) and binds it to a purpose, so a sealed task never opens as a
 * result. A message that does not open is dropped before anything in it is deserialized.
 * {@link io.paraflow.cluster.security.HazelcastHardening} gives every member the Hazelcast settings that go
 * with it: a cluster name derived from the secret, TCP-IP join on one interface, and an allow-list for
 * the Java deserialization Hazelcast does itself.
 *
 * <p>What this protects: confidentiality and integrity of tasks and results against anyone on the network
 * without the secret, and execution of tasks sent by such a party; Paraflow's own payloads are never
 * decoded before they are authenticated (Hazelcast still deserializes its own operations, within its
 * allow-list). What it does not: a member without the secret can still join Hazelcast's membership and
 * disturb it (denial of service), and anyone holding the secret is trusted completely. The cipher binds a
 * message to a context given by the caller (who sends it to whom, in which session); refusing a captured
 * message replayed is the cluster runtime's part (numbered messages, see the module's README).
 */
package io.paraflow.cluster.security;
