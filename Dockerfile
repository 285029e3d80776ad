# The knowledge base as one image: the database is built from data/ when the image is built,
# and served read-only by `kb serve --public` (see README, "Publishing").
FROM python:3.11-slim
WORKDIR /kb
COPY . .
RUN pip install --no-cache-dir .
RUN kb build
EXPOSE 8001
CMD ["kb", "serve", "--public", "--host", "0.0.0.0"]
