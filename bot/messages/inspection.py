"""What the media check found in a training file, one line each in plain words, with the fix."""

from __future__ import annotations

# Blocking: Tavus is known to refuse these, so nothing is sent.
CHECK_TOO_SHORT = (
    "The {medium} is {length} long; Tavus needs at least {least}, best {best}. Record a longer "
    "take."
)
CHECK_FPS = (
    "The {medium} runs at {fps} frames per second; Tavus needs at least {least}. Record at 30 "
    "(or 25) fps and export it without lowering the frame rate."
)
CHECK_TOO_LARGE = (
    "The {medium} is {size}; Tavus takes {most} at most. Trim it, or export it at a lower bitrate."
)
CHECK_FORMAT = (
    "The {medium} is {container}, which Tavus does not take. Export it as an MP4 with H.264 video "
    "and AAC sound."
)
CHECK_CODEC = (
    "The {medium}'s picture is {codec}, which Tavus does not take: it needs H.264 in an MP4 (or "
    "VP8/VP9 in a WebM). Export it as H.264; on an iPhone, Settings → Camera → Formats → Most "
    "Compatible records it so."
)
CHECK_NO_PICTURE = "The {medium} has no picture in it. Link the video itself."
CHECK_NO_SOUND_CONSENT = (
    "The {medium} has no sound, so the consent statement cannot be heard in it. Record it with "
    "the microphone on."
)
CHECK_NO_FACE = (
    "I found no face in the {medium}. Face the camera with your head and shoulders in the frame "
    "and nothing covering your face."
)
CHECK_TWO_PEOPLE = (
    "I found two faces or more in {share} of the {medium}'s frames; Tavus trains on one person "
    "alone. Record with nobody else in view (photos and screens included)."
)
CHECK_TWO_PEOPLE_IMAGE = (
    "I found two faces or more in the {medium}; Tavus trains on one person alone. Use a photo of "
    "you alone."
)
CHECK_IMAGE_FORMAT = "The {medium} is a {format} file; Tavus takes JPG or PNG. Save it as either."
CHECK_IMAGE_SMALL = (
    "The {medium} is {width}×{height} pixels; Tavus needs at least {side}×{side}. Use a larger "
    "photo."
)

# Advice: training may go on, but the replica is likely to be worse, or Tavus may fail it.
CHECK_QUICKTIME = (
    "The {medium} is a QuickTime .mov; Tavus names .mp4. If training fails on its format, export "
    "it as an MP4 (H.264 + AAC)."
)
CHECK_AUDIO_CODEC = (
    "The {medium}'s sound is {codec}; Tavus asks for AAC in an MP4. If training fails on its "
    "format, export it with AAC sound."
)
CHECK_NO_SOUND = (
    "The {medium} has no sound. Tavus trains on you speaking: record it with the microphone on."
)
CHECK_RESOLUTION = (
    "The {medium} is {width}×{height}; Tavus asks for 1080p ({side} pixels on the shorter side). "
    "A sharper recording makes a sharper replica."
)
CHECK_FACE_MISSING = (
    "I found no face in {count} of {total} frames of the {medium}. Stay in the frame, facing the "
    "camera, the whole time."
)
CHECK_FACE_SMALL = (
    "Your face fills {share} of the {medium}'s height; Tavus asks for a face at least a quarter of "
    "the frame. Move closer, framed from the waist up."
)
CHECK_OFF_CENTRE = (
    "Your face sits {side} of the middle of the {medium}; Tavus asks for it centred. Move the "
    "camera so your face is in the middle."
)
CHECK_LIGHT = (
    "The {medium}'s brightness changes sharply between {first} and {then}; Tavus fails training "
    "on lighting changes. Record in steady, even light."
)
CHECK_NOISE = (
    "The quiet in the {medium}, from about {start} on, is noisy ({level} dBFS); Tavus fails "
    "training on background noise. Record in a quiet room, with fans, traffic and music off."
)
CHECK_SHORT_SPEAKING = (
    "I heard only {speech} of speaking in the {medium}; {model} trains on about 30 s of you "
    "speaking, first."
)
CHECK_NO_LISTENING = (
    "I heard no silent stretch of {least} after the speaking in the {medium}; {model} trains on "
    "about 30 s of speaking, then 30 s of listening: still, lips closed, silent."
)

# What could not be checked: said so, never a reason to stop.
CHECK_UNCHECKED = "{what} could not be checked: {why}. Tavus will judge it when training starts."
CHECK_WHAT = {
    "file": "The {medium}",
    "faces": "Faces in the {medium}",
    "sound": "The sound of the {medium}",
}
CHECK_WHY = {
    "no_ranges": "its host does not serve parts of files",
    "no_answer": "its host refused it, or did not answer",
    "private": "it is on a private address",
    "too_many_bytes": "that would take reading too much of it",
    "out_of_time": "the check ran out of time",
    "changed": "it changed while it was read",
    "unreadable": "it could not be read as {kind}",
}

# What was measured, for the thread.
CHECK_SUMMARY_VIDEO = "{width}×{height}, {fps} fps, {length}, {codecs}"
CHECK_SUMMARY_IMAGE = "{format}, {width}×{height}"

# What bot.messages re-exports: every word above (tests/unit/messages/test_messages.py checks it).
__all__ = [
    "CHECK_AUDIO_CODEC",
    "CHECK_CODEC",
    "CHECK_FACE_MISSING",
    "CHECK_FACE_SMALL",
    "CHECK_FORMAT",
    "CHECK_FPS",
    "CHECK_IMAGE_FORMAT",
    "CHECK_IMAGE_SMALL",
    "CHECK_LIGHT",
    "CHECK_NOISE",
    "CHECK_NO_FACE",
    "CHECK_NO_LISTENING",
    "CHECK_NO_PICTURE",
    "CHECK_NO_SOUND",
    "CHECK_NO_SOUND_CONSENT",
    "CHECK_OFF_CENTRE",
    "CHECK_QUICKTIME",
    "CHECK_RESOLUTION",
    "CHECK_SHORT_SPEAKING",
    "CHECK_SUMMARY_IMAGE",
    "CHECK_SUMMARY_VIDEO",
    "CHECK_TOO_LARGE",
    "CHECK_TOO_SHORT",
    "CHECK_TWO_PEOPLE",
    "CHECK_TWO_PEOPLE_IMAGE",
    "CHECK_UNCHECKED",
    "CHECK_WHAT",
    "CHECK_WHY",
]
