package org.tconv.ml;

import java.io.Serializable;
import java.util.function.Predicate;

import scala.runtime.AbstractFunction1;

/**
 * Param validators Spark's {@code ParamValidators} does not have (every element of an int array, a text
 * that must parse), as the Scala functions {@link org.apache.spark.ml.param.Param} takes; serializable, as
 * params travel with the stage.
 */
final class Validators {
    private Validators() {}

    private static final class Check<T> extends AbstractFunction1<T, Object> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final SerializablePredicate<T> test;

        Check(SerializablePredicate<T> test) {
            this.test = test;
        }

        @Override
        public Object apply(T value) {
            return value != null && test.test(value);
        }
    }

    interface SerializablePredicate<T> extends Predicate<T>, Serializable {}

    static <T> AbstractFunction1<T, Object> of(SerializablePredicate<T> test) {
        return new Check<>(test);
    }

    /** One to three values (one for every axis, or one per axis), each at least {@code min}. */
    static AbstractFunction1<int[], Object> perAxis(int min) {
        return of(v -> {
            if (v.length < 1 || v.length > 3) return false;
            for (int x : v) if (x < min) return false;
            return true;
        });
    }

    /** A text {@code parse} accepts without an exception. */
    static AbstractFunction1<String, Object> parses(SerializablePredicate<String> parse) {
        return of(s -> {
            try {
                return parse.test(s);
            } catch (IllegalArgumentException e) {
                return false;
            }
        });
    }
}
