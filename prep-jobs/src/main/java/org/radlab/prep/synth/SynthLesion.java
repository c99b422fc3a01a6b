package org.radlab.prep.synth;

/**
 * A finding drawn into a synthetic image ({@code synth --lesions}): its label ({@code mass} or
 * {@code calcification}), its value in the image's mask, and its box in the stored image's pixels,
 * {@code x_max} and {@code y_max} one past the last pixel (see {@link Lesions}).
 */
public record SynthLesion(String label, int maskValue, int xMin, int yMin, int xMax, int yMax) {}
