/** picocli, compiled from its sources for Java 22 (see this module's pom): the same module name and exports as the published jar. */
module info.picocli {
    exports picocli;
}
