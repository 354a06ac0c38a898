"""What is wrong with a link, or a file posted in Slack, in plain words, with the fix."""

from __future__ import annotations

# Links checked before anything is saved: what is wrong, in plain words, with the fix.
LINK_NO_ANSWER = (
    "This link does not answer, so Tavus will not be able to download it either. Check it opens "
    "in a private browser window."
)
LINK_REFUSED = (
    "This link answers with an error ({status}), so Tavus will not be able to download it either. "
    "Make the file public, or use a link that works without signing in."
)
LINK_PRIVATE = (
    "This link points to a private or local network address, which Tavus cannot reach. Use a "
    "link on the public internet."
)
LINK_REDIRECTS = "This link redirects too many times. Use the file's direct link."
LINK_WEB_PAGE = (
    "This link opens a web page, not the file. Use the file's direct download link (it usually "
    "ends in .mp4 or .png)."
)
LINK_DRIVE = (
    "This is a Google Drive page, not the file. Share it with “Anyone with the link”, then use "
    "https://drive.google.com/uc?export=download&id=FILE_ID (the id is in the share link)."
)
LINK_DROPBOX = (
    "This is a Dropbox page, not the file. Change the end of the link from dl=0 to dl=1 (or add "
    "?dl=1) so it downloads the file itself."
)
LINK_NOT_VIDEO = (
    "This link is not a video (it is {type}). Link the video file itself, e.g. an .mp4."
)
LINK_NOT_IMAGE = (
    "This link is not an image (it is {type}). Link the image file itself (.png, .jpg)."
)
LINK_TOO_LARGE = (
    "This file is {size} MB; Tavus takes at most 750 MB. Trim it, or export it at a lower bitrate."
)
LINK_TOO_SMALL = (
    "This image is {width}×{height} pixels; Tavus needs at least {side}×{side}. Use a larger photo."
)
LINK_HEVC = (
    "This video is HEVC (H.265), as iPhones record by default; Tavus needs H.264. Export it as "
    "H.264: on iPhone set Settings → Camera → Formats → Most Compatible, or in QuickTime choose "
    "File → Export As → 1080p with “Greater Compatibility”."
)
LINK_NOT_H264 = "This video is encoded as {codec}; Tavus needs H.264. Export it again as H.264 MP4."
LINK_EXPIRES = (
    "This link expires on {when}, and Tavus needs it to work for at least 24 hours after the "
    "request. Make a link that lasts longer (a presigned link of 2 days or more)."
)
LINK_EXPIRY_UNREADABLE = (
    "This link says when it expires, but not in a way that can be read, so it cannot be checked. "
    "Make a fresh link to the file (a presigned link of 2 days or more) and paste that one."
)
LINK_NOT_CHECKED = (
    "This link could not be checked, so it was not taken. Make a fresh link to the file (its "
    "direct download link) and paste that one."
)

# Files posted in Slack: the shortcut, and copying the file for Tavus.
SHORTCUT_NO_FILE = (
    "This message has no video or image I can train from. Use the shortcut on a message with an "
    ".mp4 or .mov video, or a photo."
)
SHORTCUT_NO_MEDIA = (
    "I can't take files from Slack here: I need somewhere to hand Tavus the file from (PUBLIC_URL, "
    "or an S3 bucket in MEDIA_S3_BUCKET). Ask whoever runs this bot, or give the form a link to "
    "the file instead."
)
FILE_NOT_MEDIA = "*{name}* is not a video or an image, so Tavus can't train from it."
FILE_TOO_LARGE = "*{name}* is {size} MB; Tavus takes at most 750 MB. Trim it, or export it smaller."
FILE_NO_ACCESS = (
    "Slack would not let me read this file. Ask whoever runs this bot to add the files:read scope "
    "and reinstall the app, and make sure I'm in the channel it was posted in."
)
FILE_REFUSED = "Slack refused the file ({status}). Post it again, or give the form a link instead."
FILE_REDIRECTS = "Slack's download link redirected too many times. Try again in a minute."
FILE_LOST = "I couldn't copy the file from Slack ({error}). Try the shortcut again in a minute."
FILE_CUT_OFF = "I restarted while copying the file from Slack. Use the shortcut again."
MEDIA_FULL = (
    "This workspace's room for files copied from Slack ({quota}) is full until replicas in the "
    "works finish training. Give the form a link to the file instead, or try again later."
)


def size_of(count: int) -> str:
    """A number of bytes as people say it: "20 GB", "750 MB", "1.5 GB" (decimal units)."""
    for unit, scale in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if count >= scale:
            return f"{round(count / scale, 1):g} {unit}"
    return f"{count} bytes"


# What bot.messages re-exports: every word above (tests/unit/messages/test_messages.py checks it).
__all__ = [
    "FILE_CUT_OFF",
    "FILE_LOST",
    "FILE_NOT_MEDIA",
    "FILE_NO_ACCESS",
    "FILE_REDIRECTS",
    "FILE_REFUSED",
    "FILE_TOO_LARGE",
    "LINK_DRIVE",
    "LINK_DROPBOX",
    "LINK_EXPIRES",
    "LINK_EXPIRY_UNREADABLE",
    "LINK_HEVC",
    "LINK_NOT_CHECKED",
    "LINK_NOT_H264",
    "LINK_NOT_IMAGE",
    "LINK_NOT_VIDEO",
    "LINK_NO_ANSWER",
    "LINK_PRIVATE",
    "LINK_REDIRECTS",
    "LINK_REFUSED",
    "LINK_TOO_LARGE",
    "LINK_TOO_SMALL",
    "LINK_WEB_PAGE",
    "MEDIA_FULL",
    "SHORTCUT_NO_FILE",
    "SHORTCUT_NO_MEDIA",
    "size_of",
]
