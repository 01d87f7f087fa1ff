"""Records as they arrive: the IMR packet (PDFs, typed or scanned) read into a case file.

Owns everything between the PDF files a review organization receives and the case file the engine
decides (`imr.casefile`): the text of every page (the text layer, or OCR with Tesseract when a page
has none: `pages`, `ocr`), the split of a packet into documents and their kind, date and author
(`split`, rules in `data/kinds.yaml`), the facts of the forms — disputed items and UR basis from the
UR determination, the RFA's requested treatment, date of injury, claim number, review type and date
received from the IMR application (`forms`, `data/forms.yaml`) — and the case file with every record
pointing back at its file and pages (`intake`). `synth` makes packets with known ground truth.

In the flow it sits above `casefile`, `items`, `drugs` and `model`, and below `clinical` and
`review`: nothing here imports the engine, the case service or the web app.
"""

from imr.packets.intake import Intake, packet_files, read_packet
from imr.packets.pages import PacketError, Page
from imr.packets.split import PacketDocument

__all__ = ["Intake", "PacketDocument", "PacketError", "Page", "packet_files", "read_packet"]
