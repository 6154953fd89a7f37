/**
 * Benchmarks and harnesses. JMH benchmarks run with
 * {@code ./mvnw -B -q -pl bench -am package -DskipTests && java -jar bench/target/derpwatch-bench.jar}; the
 * method and figures of every benchmark are written up in {@code docs/benchmarks.md}.
 */
package io.derpwatch.bench;
