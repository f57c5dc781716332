/**
 * Serializers that carry task functions, arguments and results between JVMs (worker processes, and
 * later checkpoints and cluster members): the {@link io.paraflow.serial.Serializer} interface and
 * {@link io.paraflow.serial.JavaSerializer}, Java serialization guarded by an allow-list of classes.
 * Deserialization never instantiates a class outside the allow-list.
 */
package io.paraflow.serial;
