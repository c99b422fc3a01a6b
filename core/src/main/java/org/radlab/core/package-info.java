/** RadLab's shared library: DICOM reading, the pixel pipeline and de-identification. Plain Java, no Spark. */
package org.radlab.core;
