// Stands in for the seed's mongoose model (there is no MongoDB where the tests run): the one call
// the middleware makes, over the users the test puts in.
const users = new Map();

export default {
    findById: async (id) => users.get(String(id)) ?? null,
    add: (user) => users.set(String(user._id), user),
};
