"""The customer web chat: a page that talks to Rasa's socket.io channel (channels/socketio.py).

server.py serves the page, its scripts and the socket.io client from webchat/node_modules (npm ci --prefix
webchat); it holds no conversation state: the browser talks to Rasa directly and keeps its signed session id
and a copy of the transcript in localStorage, so a reload continues the same conversation.
"""
