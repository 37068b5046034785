#!/usr/bin/env bash
# Writes the upload test corpus (valid scans and hostile files) into the directory $1.
# Run by tests/unit/test_image.c; needs convert (imagemagick, a test-time package) and cc.
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 DIR" >&2; exit 2; }
OUT=$1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# convert here runs under the system policy, never under uploads-policy/ (which would refuse
# to write the SVG/MVG/PS test inputs and to draw text).
unset MAGICK_CONFIGURE_PATH
# The byte limit of the hall's rules in the test (2 MiB): the padded JPEGs are exactly this
# and one byte more.
LIMIT=${CORPUS_LIMIT:-2097152}

mkdir -p "$OUT"
cd "$OUT"
cc -std=c11 -O1 -Wall -Wextra -o corpus_helper "$HERE/corpus_helper.c"

# A4-ish scan of a stamped application: text lines and a red stamp. Text needs a font (the
# first one ImageMagick lists; its default, Helvetica, is often missing); without one, bars
# stand in for the lines (the tests look at sizes, not glyphs).
# awk reads to the end: exiting at the first font would kill convert with SIGPIPE, and pipefail
# would fail the script when convert had not finished writing (under load it often has not).
FONT=$(convert -list font 2>/dev/null | awk '/Font:/ && !f { f = $2 } END { print f }')
scan() {
  [[ -n $FONT ]] && convert -size 620x877 xc:white -font "$FONT" -fill black -pointsize 16 \
    -annotate +50+80 'Application for a digital certificate' \
    -annotate +50+120 'Company: Example Trading Co., Ltd.' \
    -annotate +50+150 'Unified social credit code: 91110000000000000X' \
    -fill none -stroke red -strokewidth 4 -draw 'circle 470,700 470,620' "$1" 2>/dev/null ||
    convert -size 620x877 xc:white -fill black \
      -draw 'rectangle 50,70 560,84' -draw 'rectangle 50,110 500,124' \
      -draw 'rectangle 50,140 540,154' \
      -fill none -stroke red -strokewidth 4 -draw 'circle 470,700 470,620' "$1"
}
scan scan.jpg
convert scan.jpg scan.png
convert scan.jpg scan.bmp
convert scan.jpg BMP3:scan3.bmp                             # the 40-byte header of Paint & co.
convert scan.jpg scan.gif
convert -size 20x20 xc:white tiny.png                       # 400 px: under the minimum

# Pixel floods: a few dozen bytes whose IHDR declares 65535x65535 (beyond the policy's
# width/height) and 15000x15000 (within them: only our own pixel check refuses it).
./corpus_helper png-header 65535 65535 flood.png
./corpus_helper png-header 15000 15000 flood15k.png
# The same in the other formats: a JPEG whose SOF says 65500x65500 over a small image's data,
# a GIF whose screen and frame say 65535x65535, a 54-byte BMP header saying 65535x65535.
./corpus_helper jpeg-size scan.jpg flood.jpg 65500 65500
printf 'GIF89a\377\377\377\377\000\000\000,\000\000\000\000\377\377\377\377\000\002\002\114\001\000;' >flood.gif
printf 'BM\106\000\000\000\000\000\000\000\066\000\000\000\050\000\000\000\377\377\000\000\377\377\000\000\001\000\030\000\000\000\000\000\020\000\000\000\023\013\000\000\023\013\000\000\000\000\000\000\000\000\000\000' >flood.bmp
head -c 16 /dev/zero >>flood.bmp
# A 24.6 MP JPEG (4960 px: an A4 width at 600 dpi): within the rules, too big to decode in
# full under the policy; at half scale it is exactly the stored size (cheap under valgrind).
convert -size 4960x4960 gradient:white-gray -fill black -draw 'rectangle 200,200 4700,400' \
  -quality 90 big.jpg

# Truncated JPEG: the first half of a valid one.
head -c $(($(stat -c %s scan.jpg) / 2)) scan.jpg >truncated.jpg

# GIF/HTML polyglot: a 1x1 GIF header, then markup instead of image data.
printf 'GIF89a\001\000\001\000\000\000\000<script>alert(document.cookie)</script>' >polyglot.gif

# Other formats under a .jpg name: every one is a classic ImageMagick attack surface.
printf '%s\n' '<?xml version="1.0"?>' \
  '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="640" height="480">' \
  '<image xlink:href="https://example.com/x.jpg" width="640" height="480"/></svg>' >svg.jpg
printf 'push graphic-context\nviewbox 0 0 640 480\nimage over 0,0 0,0 '\''https://example.com/x.jpg'\''\npop graphic-context\n' >mvg.jpg
printf '%%!PS-Adobe-3.0\n%%%%BoundingBox: 0 0 612 792\n/Helvetica findfont 12 scalefont setfont\n72 720 moveto (scan) show showpage\n' >ps.jpg
printf '%%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%%%EOF\n' >pdf.jpg
printf '<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>\n' >html.jpg

# EXIF: a landscape frame (800x600, left half red, right half blue) tagged Orientation 6 and
# with GPS tags. Shown upright it is portrait 600x800 with red on top, blue below.
convert -size 400x600 xc:red -size 400x600 xc:blue +append landscape.jpg
./corpus_helper exif landscape.jpg exif.jpg
rm -f landscape.jpg

convert -size 600x400 xc:'rgb(200,40,40)' -colorspace CMYK cmyk.jpg
convert -size 500x400 gradient:red-blue -depth 16 deep.png
# Transparent PNG: the left half black, the right half fully transparent (white once flattened).
convert -size 400x300 xc:none -fill black -draw 'rectangle 0,0 199,299' alpha.png
# Animated GIF: red, green, blue frames.
convert -size 400x300 xc:red xc:lime xc:blue -set delay 20 anim.gif
# A small frame on a huge GIF logical screen (the virtual canvas must not become pixels).
convert -size 400x300 xc:lime -page 15000x15000+100+100 screen.gif

: >empty.jpg

# Exactly the byte limit, and one byte more (COM segments after SOI; see corpus_helper.c).
./corpus_helper pad-jpeg scan.jpg limit.jpg "$LIMIT"
./corpus_helper pad-jpeg scan.jpg over.jpg $((LIMIT + 1))

rm -f corpus_helper
