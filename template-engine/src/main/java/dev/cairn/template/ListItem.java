package dev.cairn.template;

/**
 * The scope pushed for one element of a list section: the element, plus what {@code -first},
 * {@code -last} and {@code -index} answer inside it. {@code {{.}}} unwraps to the element.
 */
record ListItem(Object element, int index, boolean last) {
}
