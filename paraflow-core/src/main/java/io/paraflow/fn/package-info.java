/**
 * Task bodies: serializable functional interfaces of arity 0 to 4 whose methods may throw checked
 * exceptions. They are serializable from the first day because worker processes and the cluster ship
 * them to other JVMs; a plain {@code java.util.function} lambda cannot be shipped.
 */
package io.paraflow.fn;
