"""An independent reference for the pixel data of a BINARY DICOM SEG, with numpy and pydicom alone.

argv: SEG file, bits file (one byte 0 or 1 per pixel: the SEG's frames in order, each row by row), frames, rows,
columns, output file. Packs the bits as PS3.5 8.1.1 and 8.2 say (bit i of the stream in bit i % 8 of byte i // 8,
least significant first; frames one after another without padding; one zero byte to an even length) with
np.packbits(bitorder="little") and writes the bytes to the output file. Then reads the SEG with pydicom and checks
that its Pixel Data are those bytes and that pydicom's own unpacking (pixel_array) gives the bits back.
Prints "ok", or one line per problem.
"""
import sys

import numpy as np
import pydicom

seg, bits_file, frames, rows, columns, out = sys.argv[1:7]
frames, rows, columns = int(frames), int(rows), int(columns)
bits = np.fromfile(bits_file, dtype=np.uint8)
problems = []
if bits.size != frames * rows * columns:
    problems.append(f"{bits.size} bits given for {frames} frames of {rows} x {columns}")
packed = np.packbits(bits, bitorder="little")
if packed.size % 2:
    packed = np.append(packed, np.uint8(0))
packed.tofile(out)

ds = pydicom.dcmread(seg)
data = np.frombuffer(ds.PixelData, dtype=np.uint8)
if not np.array_equal(data, packed):
    differ = np.nonzero(data[: min(data.size, packed.size)] != packed[: min(data.size, packed.size)])[0]
    problems.append(f"Pixel Data: {data.size} bytes, numpy {packed.size}; first differing byte {differ[:5]}")
if int(ds.NumberOfFrames) != frames or int(ds.Rows) != rows or int(ds.Columns) != columns:
    problems.append(f"pydicom reads {ds.NumberOfFrames} frames of {ds.Rows} x {ds.Columns}")
array = ds.pixel_array.reshape(-1)
if not np.array_equal(array.astype(np.uint8), bits):
    problems.append(f"pydicom's pixel_array differs at {np.nonzero(array != bits)[0][:5]}")
print("ok" if not problems else "\n".join(problems))
