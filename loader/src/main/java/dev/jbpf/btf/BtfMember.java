package dev.jbpf.btf;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a record component to the struct member (or data section variable) of another name, for
 * names Java cannot use as they are or spells differently: {@code @BtfMember("class") int class_},
 * {@code @BtfMember("start_time") long startTime}. Without it a component binds to the member of
 * its own name. Read by {@link BtfRecordCodec} and {@link BtfValueCodec}; generated skeletons put
 * it on every component whose Java name differs from the C name.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface BtfMember {
    /** The C name of the member or variable. */
    String value();
}
