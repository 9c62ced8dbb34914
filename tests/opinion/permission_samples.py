def samples(process):
    conversation = process.conversations.get(slug="priorites-drome")
    kwargs = {"slug": process.slug, "conversation": conversation.slug}
    return {
        "opinion:conversation": kwargs,
        "opinion:propose": kwargs,
        "opinion:profile": kwargs,
        "opinion:results": kwargs,
        "opinion:group": {**kwargs, "group": 0},
        "opinion:moderation": kwargs,
        "opinion:analyze": kwargs,
        "opinion:export": kwargs,
    }
